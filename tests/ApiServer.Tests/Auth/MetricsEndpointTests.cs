using System.Net;

namespace KubeMesh.ApiServer.Tests.Auth;

/// <summary>
/// /metrics on the REST port, as kube-apiserver serves it: Prometheus' text format with the api-server's own metrics,
/// to those allowed nonResourceURL /metrics (cluster-admin, the system:monitoring group), and 403 to anyone else.
/// </summary>
public sealed class MetricsEndpointTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    [Theory]
    [InlineData(AuthFixture.Admin)]
    [InlineData(AuthFixture.Monitor)]
    public async Task Metrics_ToThoseAllowed_IsPrometheusTextWithTheApiServersMetrics(string token)
    {
        // A request first, so the request counter has a series.
        using (await fixture.SendAsync(token, HttpMethod.Get, "/version"))
        {
        }

        using var response = await fixture.SendAsync(token, HttpMethod.Get, "/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE apiserver_request_total counter", text, StringComparison.Ordinal);
        Assert.Contains("apiserver_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuthFixture.Alice, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Forbidden)]
    public async Task Metrics_ToAnyoneElse_IsRefused(string? token, HttpStatusCode expected)
    {
        using var response = await fixture.SendAsync(token, HttpMethod.Get, "/metrics");

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains("cannot get path \\\"/metrics\\\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
