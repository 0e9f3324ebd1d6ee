# One image per component: docker build --build-arg PROJECT=src/ApiServer/ApiServer.csproj -t kubemesh/api-server .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
WORKDIR /src
COPY . .
RUN dotnet publish "$PROJECT" -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# The kubelet runs containers as processes in their own mount/pid namespaces with util-linux.
RUN apt-get update && apt-get install -y --no-install-recommends util-linux procps && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ARG ENTRY
ENV ENTRY=${ENTRY}
ENTRYPOINT ["sh", "-c", "exec dotnet /app/$ENTRY"]
