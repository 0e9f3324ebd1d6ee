using KubeMesh.ApiServer.Validation;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class NameValidationTests
{
    [Theory]
    [InlineData("nginx", true)]
    [InlineData("my-app.v1", true)]
    [InlineData("Bad_Name", false)]
    [InlineData("-start", false)]
    [InlineData("end.", false)]
    public void IsDns1123Subdomain_Value_MatchesKubernetes(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsDns1123Subdomain(value).Count == 0);
    }

    [Fact]
    public void IsDns1123Subdomain_TooLong_SaysLimit()
    {
        Assert.Contains("must be no more than 253 characters", NameValidation.IsDns1123Subdomain(new string('a', 254)));
    }

    [Theory]
    [InlineData("nginx", true)]
    [InlineData("my.app", false)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123", true)]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", false)]
    public void IsDns1123Label_Value_MatchesKubernetes(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsDns1123Label(value).Count == 0);
    }

    [Theory]
    [InlineData("app", true)]
    [InlineData("app.kubernetes.io/name", true)]
    [InlineData("nginx.ingress.kubernetes.io/rewrite-target", true)]
    [InlineData("Bad_Prefix/x", false)]
    [InlineData("a/b/c", false)]
    [InlineData("/x", false)]
    [InlineData("-x", false)]
    public void IsQualifiedName_Key_MatchesKubernetes(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsQualifiedName(value).Count == 0);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("v1.2_x", true)]
    [InlineData("has space", false)]
    [InlineData("-x", false)]
    public void IsValidLabelValue_Value_MatchesKubernetes(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsValidLabelValue(value).Count == 0);
    }

    [Theory]
    [InlineData("http", true)]
    [InlineData("web-8080", true)]
    [InlineData("8080", false)]
    [InlineData("a--b", false)]
    [InlineData("averyverylongportname", false)]
    public void IsValidPortName_Value_MatchesIanaServiceNames(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsValidPortName(value).Count == 0);
    }

    [Theory]
    [InlineData("ex.ample", true)]
    [InlineData("tls.crt", true)]
    [InlineData("..hidden", false)]
    [InlineData("a/b", false)]
    public void IsConfigMapKey_Value_MatchesKubernetes(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsConfigMapKey(value).Count == 0);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("10.0.1", false)]
    [InlineData("host", false)]
    public void IsValidIP_Value_AcceptsIPv4AndIPv6(string value, bool valid)
    {
        Assert.Equal(valid, NameValidation.IsValidIP(value).Count == 0);
    }
}
