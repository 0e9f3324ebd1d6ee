using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class ConfigDataValidatorTests
{
    [Fact]
    public void ValidateCreate_TlsSecretWithoutKey_RequiresTlsKey()
    {
        var errors = Errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: Y2VydA==}\n");

        AssertError(errors, "data[tls.key]", "Required value");
        Assert.DoesNotContain(errors, e => e.Path == "data[tls.crt]");
    }

    [Fact]
    public void ValidateCreate_TlsSecretFromStringData_IsValid()
    {
        AssertValid(Errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\nstringData: {tls.crt: cert, tls.key: key}\n"));
    }

    [Fact]
    public void ValidateCreate_BasicAuthWithoutCredentials_IsRequired()
    {
        AssertError(Errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/basic-auth\n"), "data[username]", "Required value");
    }

    [Fact]
    public void ValidateCreate_BadConfigMapKeys_AreInvalid()
    {
        var errors = Errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a/b\": x, \"..x\": y}\nbinaryData: {ok: eA==}\n");

        AssertError(errors, "data[a/b]", "valid config key");
        AssertError(errors, "data[..x]", "must not start with '..'");
    }

    [Fact]
    public void ValidateCreate_KeyInDataAndBinaryData_IsDuplicate()
    {
        AssertError(Errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: x}\nbinaryData: {k: eA==}\n"), "binaryData[k]", "duplicate of key present in data");
    }
}
