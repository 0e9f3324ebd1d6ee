using KubeMesh.Proxy.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddServiceProxy();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
