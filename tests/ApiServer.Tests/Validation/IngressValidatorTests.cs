using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class IngressValidatorTests
{
    private static IReadOnlyList<KubeMesh.Api.Serialization.FieldError> Path(string path) =>
        Errors($"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: i}}\nspec:\n  rules:\n  - host: example.com\n    http:\n      paths:\n      - {path}\n");

    [Fact]
    public void ValidateCreate_PathWithoutPathType_IsRequired()
    {
        AssertError(Path("{path: /, backend: {service: {name: web, port: {number: 80}}}}"), "spec.rules[0].http.paths[0].pathType", "Required value");
    }

    [Fact]
    public void ValidateCreate_RelativePrefixPath_MustBeAbsolute()
    {
        AssertError(Path("{path: api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}"), "spec.rules[0].http.paths[0].path", "absolute path");
    }

    [Fact]
    public void ValidateCreate_BackendWithoutPort_IsRequired()
    {
        AssertError(Path("{path: /, pathType: Prefix, backend: {service: {name: web}}}"), "spec.rules[0].http.paths[0].backend.service.port", "Required value");
    }

    [Fact]
    public void ValidateCreate_BackendWithoutServiceName_IsRequired()
    {
        AssertError(Path("{path: /, pathType: Exact, backend: {service: {port: {number: 80}}}}"), "spec.rules[0].http.paths[0].backend.service.name", "Required value");
    }

    [Fact]
    public void ValidateCreate_BadPathType_IsUnsupported()
    {
        AssertError(Path("{path: /, pathType: Regex, backend: {service: {name: web, port: {name: http}}}}"), "spec.rules[0].http.paths[0].pathType", "Unsupported value");
    }

    [Fact]
    public void ValidateCreate_NoRulesNoDefaultBackend_IsInvalid()
    {
        AssertError(Errors("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {}\n"), "spec.rules", "either `defaultBackend` or `rules`");
    }

    [Fact]
    public void ValidateCreate_IpHostAndBadTlsHost_AreInvalid()
    {
        var errors = Errors("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  tls: [{hosts: [Bad_Host]}]\n  rules: [{host: 10.0.0.1}]\n");

        AssertError(errors, "spec.rules[0].host", "not an IP address");
        AssertError(errors, "spec.tls[0].hosts[0]", "RFC 1123 subdomain");
    }

    [Fact]
    public void ValidateCreate_WildcardHost_IsValid()
    {
        AssertValid(Errors("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules: [{host: \"*.example.com\", http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n"));
    }
}
