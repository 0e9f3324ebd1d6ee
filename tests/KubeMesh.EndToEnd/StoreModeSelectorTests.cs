using KubeMesh.AppHost;

namespace KubeMesh.EndToEnd;

/// <summary>Cluster:StoreMode as the AppHost decides it, with the machine's probes stubbed.</summary>
public sealed class StoreModeSelectorTests
{
    [Theory]
    [InlineData("auto", true, true, StoreMode.Container)]
    [InlineData("auto", true, false, StoreMode.Container)]
    [InlineData("auto", false, true, StoreMode.RedisServer)]
    [InlineData("auto", false, false, StoreMode.Embedded)]
    [InlineData("AUTO", false, true, StoreMode.RedisServer)]
    [InlineData("", false, false, StoreMode.Embedded)]
    [InlineData(null, true, false, StoreMode.Container)]
    public void Select_Auto_TakesContainerThenRedisServerThenEmbedded(string? configured, bool engine, bool redisServer, StoreMode expected)
    {
        var mode = StoreModeSelector.Select(new ClusterOptions { StoreMode = configured! }, () => engine, () => redisServer);

        Assert.Equal(expected, mode);
    }

    [Fact]
    public void Select_Auto_AsksForRedisServerOnlyWithoutAnEngine()
    {
        var asked = 0;

        StoreModeSelector.Select(new ClusterOptions(), () => true, () => ++asked > 0);

        Assert.Equal(0, asked);
    }

    [Theory]
    [InlineData("container", StoreMode.Container)]
    [InlineData("Container", StoreMode.Container)]
    [InlineData("redis-server", StoreMode.RedisServer)]
    [InlineData(" embedded ", StoreMode.Embedded)]
    public void Select_ForcedMode_IsTakenWithoutAskingTheMachine(string configured, StoreMode expected)
    {
        var mode = StoreModeSelector.Select(new ClusterOptions { StoreMode = configured }, NotAsked, NotAsked);

        Assert.Equal(expected, mode);
    }

    [Fact]
    public void Select_ExternalWithConnectionString_IsExternal()
    {
        var mode = StoreModeSelector.Select(new ClusterOptions { StoreMode = "external", StoreConnectionString = "127.0.0.1:6379,password=x" }, NotAsked, NotAsked);

        Assert.Equal(StoreMode.External, mode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Select_ExternalWithoutConnectionString_NamesTheMissingSetting(string? connectionString)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            StoreModeSelector.Select(new ClusterOptions { StoreMode = "external", StoreConnectionString = connectionString }, NotAsked, NotAsked));

        Assert.Equal("Cluster:StoreConnectionString is required with Cluster:StoreMode=external", error.Message);
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("redis")]
    [InlineData("garnet")]
    [InlineData("auto,container")]
    public void Select_UnknownMode_NamesTheSettingAndTheChoices(string configured)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoreModeSelector.Select(new ClusterOptions { StoreMode = configured }, NotAsked, NotAsked));

        Assert.Equal($"Cluster:StoreMode: unsupported value \"{configured}\": use auto, container, redis-server, embedded or external", error.Message);
    }

    private static bool NotAsked() => throw new InvalidOperationException("the machine was asked although the mode was given");
}
