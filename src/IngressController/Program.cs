using KubeMesh.IngressController.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngressController();

var app = builder.Build();
app.MapIngressController();
app.Run();
