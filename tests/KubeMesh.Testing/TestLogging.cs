using Microsoft.Extensions.Logging;

namespace KubeMesh.Testing;

/// <summary>Components hosted in a test log nothing, or everything to the console when KUBEMESH_TEST_LOGS is set (to debug a failing test).</summary>
public static class TestLogging
{
    public static bool Enabled => Environment.GetEnvironmentVariable("KUBEMESH_TEST_LOGS") is { Length: > 0 };

    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (Enabled)
        {
            logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
        }
    }

    /// <summary>A factory for parts built by hand (controllers, informers) that follows the same switch.</summary>
    public static ILoggerFactory CreateFactory() =>
        Enabled ? LoggerFactory.Create(Configure) : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}
