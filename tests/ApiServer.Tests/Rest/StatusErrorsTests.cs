using System.Text.Json.Nodes;
using Grpc.Core;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Registry;
using KubeMesh.ApiServer.Rest;
using KubeMesh.ApiServer.Storage;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>Errors as the metav1.Status kubectl reads: its wording comes from reason, details and causes.</summary>
public sealed class StatusErrorsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void From_NotFound_IsA404WithTheResourceInTheDetails()
    {
        var status = StatusErrors.From(ApiErrors.NotFound(ResourceKinds.Deployment, "x"));

        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"x\" not found","reason":"NotFound","details":{"name":"x","group":"apps","kind":"deployments"},"code":404}""",
            status.ToJsonString(Relaxed));
    }

    [Fact]
    public void From_Invalid_IsA422WithTheKindAndOneCausePerField()
    {
        var status = StatusErrors.From(ApiErrors.Invalid(ResourceKinds.Deployment, "x",
            [FieldError.Invalid("spec.replicas", -1, "must be greater than or equal to 0"), FieldError.Required("spec.selector")]));

        Assert.Equal(422, status["code"]!.GetValue<int>());
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal(
            """{"name":"x","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}""",
            status["details"]!.ToJsonString());
    }

    [Theory]
    [InlineData(StatusCode.NotFound, 404, "NotFound")]
    [InlineData(StatusCode.AlreadyExists, 409, "AlreadyExists")]
    [InlineData(StatusCode.Aborted, 409, "Conflict")]
    [InlineData(StatusCode.InvalidArgument, 400, "BadRequest")]
    [InlineData(StatusCode.FailedPrecondition, 400, "BadRequest")]
    [InlineData(StatusCode.PermissionDenied, 403, "Forbidden")]
    [InlineData(StatusCode.Unauthenticated, 401, "Unauthorized")]
    [InlineData(StatusCode.OutOfRange, 410, "Expired")]
    [InlineData(StatusCode.Unavailable, 503, "ServiceUnavailable")]
    [InlineData(StatusCode.DeadlineExceeded, 504, "Timeout")]
    [InlineData(StatusCode.ResourceExhausted, 429, "TooManyRequests")]
    [InlineData(StatusCode.Internal, 500, "InternalError")]
    [InlineData(StatusCode.Unknown, 500, "InternalError")]
    public void From_GrpcStatus_MapsToTheHttpCodeAndReason(StatusCode code, int http, string reason)
    {
        var status = StatusErrors.From(new RpcException(new Status(code, "it broke")));

        Assert.Equal((http, reason, "it broke"), (status["code"]!.GetValue<int>(), status["reason"]!.GetValue<string>(), status["message"]!.GetValue<string>()));
    }

    [Fact]
    public void From_AlreadyExistsAndConflict_KeepTheirReasons()
    {
        Assert.Equal("AlreadyExists", StatusErrors.From(ApiErrors.AlreadyExists(ResourceKinds.Pod, "web"))["reason"]!.GetValue<string>());
        Assert.Equal(409, StatusErrors.From(ApiErrors.Conflict(ResourceKinds.Pod, "web"))["code"]!.GetValue<int>());
        Assert.Equal(410, StatusErrors.From(ApiErrors.Expired("too old resource version: 1 (9)"))["code"]!.GetValue<int>());
    }

    [Fact]
    public void From_StoreFailures_AreAnsweredAsTheGrpcApiAnswersThem()
    {
        Assert.Equal(503, StatusErrors.From(new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.UnableToConnect, StackExchange.Redis.CommandFlags.None, "down", null, StackExchange.Redis.CommandStatus.Unknown))["code"]!.GetValue<int>());
        Assert.Equal(409, StatusErrors.From(new ConflictException("x", 1, 2))["code"]!.GetValue<int>());
    }

    [Fact]
    public void From_HttpLayerAndJsonErrors_AreClientErrors()
    {
        Assert.Equal(413, StatusErrors.From(RestException.TooLarge(RequestBodies.MaxBytes))["code"]!.GetValue<int>());
        Assert.Equal(400, StatusErrors.From(new System.Text.Json.JsonException("bad"))["code"]!.GetValue<int>());
        Assert.Equal(500, StatusErrors.From(new InvalidOperationException("bug"))["code"]!.GetValue<int>());
    }

    [Fact]
    public void Success_OfAnImmediateDelete_NamesTheObject()
    {
        var status = StatusErrors.Success(new("cm", "", "configmaps"), "u-1");

        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"cm","kind":"configmaps","uid":"u-1"}}""", status.ToJsonString());
    }
}
