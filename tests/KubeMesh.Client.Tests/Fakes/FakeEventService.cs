using Grpc.Core;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Client.Tests.Fakes;

public sealed class FakeEventService(FakeEventStore store) : EventService.EventServiceBase
{
    public override Task<Event> Create(Event request, ServerCallContext context) => Task.FromResult(store.Create(request));

    public override Task<Event> Update(Event request, ServerCallContext context) => Task.FromResult(store.Update(request));
}
