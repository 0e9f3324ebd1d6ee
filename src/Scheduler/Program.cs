using KubeMesh.Client;
using KubeMesh.Scheduler.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddKubeMeshClient(builder.Configuration);
builder.AddScheduler();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
