using KubeMesh.Images;

return args.FirstOrDefault() switch
{
    "nginx" => await NginxImage.RunAsync(args[1..]),
    "http-echo" => await HttpEchoImage.RunAsync(args[1..]),
    "acmesolver" => await AcmeSolverImage.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: KubeMesh.Images nginx|http-echo|acmesolver [args...]");
    return 2;
}
