using KubeMesh.Hosting;
using KubeMesh.IngressController.Extensions;

// First, before any socket exists (Extensions/IngressTransport says why).
InlineSocketCompletions.Prefer();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// The controller decides which proxied requests to trace itself (Telemetry/ProxiedRequestTracing).
builder.AddServiceDefaults(serverRequestSpans: false);
builder.AddIngressController();

var app = builder.Build();
app.MapIngressController();
app.Run();
