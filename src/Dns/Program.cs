using KubeMesh.Dns.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddClusterDns();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
