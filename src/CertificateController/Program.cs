using KubeMesh.CertificateController.Extensions;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddCertificateController();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
