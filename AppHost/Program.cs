using KubeMesh.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var cluster = ClusterOptions.From(builder.Configuration.GetSection("Cluster"));
var dataDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", cluster.DataDirectory));

var (store, storeConnection) = builder.AddClusterStore(cluster, dataDirectory);
var apiServer = builder.AddControlPlane(cluster, store, storeConnection, EncryptionConfigurationFile.Ensure(dataDirectory));
builder.AddKubeconfig(cluster, apiServer, dataDirectory);
builder.WriteDashboardTelemetryFile(dataDirectory);
builder.AddNodes(cluster, apiServer, dataDirectory);
builder.AddServiceAccounts(dataDirectory);
builder.AddHollowNodes(cluster, apiServer, dataDirectory);
builder.AddServiceNetworking(cluster, apiServer);
builder.AddCertificateManagement(cluster, apiServer, dataDirectory);
builder.UseClusterTls(cluster, dataDirectory);
builder.RestartComponentsOnExit();

builder.Build().Run();
