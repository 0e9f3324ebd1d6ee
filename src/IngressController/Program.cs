using KubeMesh.IngressController.Extensions;

IngressTransport.PreferInlineCompletions();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddIngressController();

var app = builder.Build();
app.MapIngressController();
app.Run();
