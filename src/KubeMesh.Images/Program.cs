using KubeMesh.Images;

ImageHost.PreferInlineCompletions();
var exitCode = args.FirstOrDefault() switch
{
    "nginx" => await NginxImage.RunAsync(args[1..]),
    "http-echo" => await HttpEchoImage.RunAsync(args[1..]),
    "acmesolver" => await AcmeSolverImage.RunAsync(args[1..]),
    _ => Usage(),
};
ContainerLog.Stdout.Flush(TimeSpan.FromSeconds(5));
return exitCode;

static int Usage()
{
    Console.Error.WriteLine("usage: KubeMesh.Images nginx|http-echo|acmesolver [args...]");
    return 2;
}
