using KubeMesh.Kmctl;

return await KmctlApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System);
