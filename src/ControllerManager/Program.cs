using KubeMesh.Client.LeaderElection;
using KubeMesh.ControllerManager.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddLeaderElection(builder.Configuration, "kube-controller-manager");
builder.AddControllerManager();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
