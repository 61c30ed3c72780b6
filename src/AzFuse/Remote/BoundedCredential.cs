using AzFuse.Configuration;
using AzFuse.Diagnostics;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace AzFuse.Remote;

/// <summary>
/// Wraps the token credential of one storage account: a token request that takes longer than
/// <see cref="AzFuseOptions.CredentialTimeout"/> fails, and any failure becomes one
/// <see cref="AzFuseException"/> naming the storage account file, the kind of credential and
/// what to do, which the retry policy does not retry (signing in again will not help).
/// </summary>
/// <remarks>
/// Measured before this existed: <c>DefaultAzureCredential</c> on a machine without a managed
/// identity failed after 24-29 s, and hung past 150 s when the metadata endpoint accepted the
/// connection but never answered. A job must learn in seconds that its sign-in cannot work.
/// Tokens are cached and refreshed ahead of expiry by the Azure SDK's bearer token policy, so this
/// runs about once an hour per account, never per request.
/// </remarks>
internal sealed class BoundedCredential : TokenCredential
{
    private readonly TokenCredential _inner;
    private readonly StorageAccount _account;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public BoundedCredential(TokenCredential inner, StorageAccount account, TimeSpan timeout, ILogger logger)
    {
        _inner = inner;
        _account = account;
        _timeout = timeout;
        _logger = logger;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        // Blocking, but bounded: some credentials (a hung metadata endpoint, an az that never
        // exits) do not honour cancellation on their synchronous path, so the wait is ours.
        GetTokenCoreAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenCoreAsync(requestContext, cancellationToken);

    /// <summary>
    /// A token from <paramref name="credential"/>, or a <see cref="TimeoutException"/> once
    /// <paramref name="timeout"/> has passed, whether or not the credential honours cancellation.
    /// </summary>
    internal static async Task<AccessToken> GetTokenWithinAsync(TokenCredential credential, TokenRequestContext requestContext, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            // On the pool: a credential may block its caller before its first await.
            return await Task.Run(() => credential.GetTokenAsync(requestContext, limit.Token).AsTask(), CancellationToken.None)
                .WaitAsync(timeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("No token in time.", ex);
        }
    }

    private async ValueTask<AccessToken> GetTokenCoreAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await GetTokenWithinAsync(_inner, requestContext, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.SignInFailed(_logger, _account.DescribeCredential(), _account.SourceFile, "no token within the time limit");
            throw Errors.SignInTimedOut(_account, _timeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not AzFuseException)
        {
            Log.SignInFailed(_logger, _account.DescribeCredential(), _account.SourceFile, ex.Message);
            throw Errors.SignInFailed(_account, ex.Message, ex);
        }
    }
}
