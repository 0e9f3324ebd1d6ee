using KubeMesh.ApiServer.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddApiServer();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApiServer();
app.Run();
