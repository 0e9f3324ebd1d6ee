using KubeMesh.ControllerManager.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddControllerManager();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
