using System.Text;
using KubeMesh.IngressController.Auth;

namespace KubeMesh.IngressController.Tests;

public sealed class HtpasswdFileTests
{
    // htpasswd -nbB -C 4 u p
    private const string Cost4 = "u:$2y$04$4xhXCLZKx0pWOzApBRfccuIMqKcNT2ucTk.K6zD1duqwqcSRkMtI6";

    [Fact]
    public void Verify_BcryptWithinHtpasswdsCosts_Matches()
    {
        var file = HtpasswdFile.Parse(Cost4);

        Assert.True(file.Verify("u", Encoding.UTF8.GetBytes("p")));
        Assert.False(file.Verify("u", Encoding.UTF8.GetBytes("q")));
    }

    [Theory]
    [InlineData("u:$2y$31$4xhXCLZKx0pWOzApBRfccuIMqKcNT2ucTk.K6zD1duqwqcSRkMtI6")]
    [InlineData("u:$2y$")]
    [InlineData("u:$2")]
    public async Task Verify_BcryptCostBeyondHtpasswds_NeverMatchesAndReturns(string line)
    {
        var file = HtpasswdFile.Parse(line);

        // 2^31 rounds would take hours: a hang, not a slow answer, if the cost were honoured.
        var verified = await Task.Run(() => file.Verify("u", Encoding.UTF8.GetBytes("p"))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(verified);
    }
}
