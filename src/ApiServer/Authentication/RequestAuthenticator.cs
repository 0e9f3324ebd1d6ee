using KubeMesh.ApiServer.Authentication.ServiceAccounts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.ApiServer.Authentication;

/// <summary>
/// kube-apiserver's authenticator chain, the same for the gRPC and the REST API: a client certificate, then a bearer
/// token (Authorization: Bearer, from the token file or a signed service-account token), else — when enabled — system:anonymous. A credential that is
/// presented but wrong is refused rather than taken as anonymous. Every authenticated user is in system:authenticated.
/// </summary>
public sealed partial class RequestAuthenticator
{
    private readonly TokenFile? _tokens;
    private readonly X509Authenticator? _certificates;
    private readonly ServiceAccountAuthenticator? _serviceAccounts;
    private readonly bool _anonymous;
    private readonly ILogger<RequestAuthenticator> _logger;

    public RequestAuthenticator(
        IOptions<AuthenticationOptions> options, TimeProvider clock, ILogger<RequestAuthenticator> logger, IEnumerable<ServiceAccountAuthenticator> serviceAccounts)
    {
        _serviceAccounts = serviceAccounts.SingleOrDefault();
        var o = options.Value;
        _tokens = string.IsNullOrEmpty(o.TokenAuthFile) ? null : TokenFile.Load(o.TokenAuthFile);
        _certificates = string.IsNullOrEmpty(o.ClientCAFile) ? null : X509Authenticator.Load(o.ClientCAFile, clock);
        _anonymous = o.Anonymous;
        _logger = logger;
    }

    /// <exception cref="AuthenticationException">No credential and anonymous requests are off, or a credential that does not authenticate.</exception>
    public UserInfo Authenticate(HttpContext context)
    {
        if (_certificates is not null && context.Connection.ClientCertificate is { } certificate)
        {
            try
            {
                return _certificates.Authenticate(certificate).WithAuthenticatedGroup();
            }
            catch (AuthenticationException e)
            {
                LogRefused(_logger, e.Message);
                throw;
            }
        }

        // As kube-apiserver: with no token authenticator configured, an Authorization header is no credential.
        if ((_tokens is not null || _serviceAccounts is not null) && BearerToken(context.Request) is { } token)
        {
            if (_tokens?.Find(token) is { } user)
            {
                return user.WithAuthenticatedGroup();
            }

            var reason = "invalid bearer token";
            if (_serviceAccounts is not null && ServiceAccountTokens.LooksLikeJwt(token))
            {
                try
                {
                    return _serviceAccounts.Authenticate(token);
                }
                catch (AuthenticationException e)
                {
                    reason = e.Message;
                }
            }

            LogRefused(_logger, reason);
            throw new AuthenticationException("invalid bearer token");
        }

        return _anonymous ? UserInfo.AnonymousUser : throw new AuthenticationException("no credentials were presented and anonymous requests are disabled");
    }

    /// <summary>The token of an "Authorization: Bearer TOKEN" header; a header of another scheme is no token.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        return token.Length > 0 ? token : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unable to authenticate the request: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
