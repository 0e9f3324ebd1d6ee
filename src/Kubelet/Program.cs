using KubeMesh.Client;
using KubeMesh.Kubelet.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddKubeMeshClient(builder.Configuration);
builder.AddKubelet();

var app = builder.Build();
app.MapKubelet();
app.MapDefaultEndpoints();
app.Run();
