using Azure.Core;
using Azure.Identity;

namespace AzFuse.Remote;

/// <summary>
/// One link of the default chain (<c>use_default_azure_cred: true</c>): any failure of the inner
/// credential, or no answer within its time limit, makes <see cref="ChainedTokenCredential"/> try
/// the next one.
/// </summary>
/// <remarks>
/// ChainedTokenCredential moves on only when a link says it is unavailable; a managed-identity
/// endpoint that is unreachable or silent fails otherwise (measured: DefaultAzureCredential stopped
/// at the managed-identity step and never tried a logged-in Azure CLI). So each link's failure is
/// reported as unavailability, with its own reason kept for the final message.
/// </remarks>
internal sealed class FallThroughCredential : TokenCredential
{
    private readonly TokenCredential _inner;
    private readonly string _name;
    private readonly TimeSpan _timeout;

    public FallThroughCredential(TokenCredential inner, string name, TimeSpan timeout)
    {
        _inner = inner;
        _name = name;
        _timeout = timeout;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedCredential.GetTokenWithinAsync(_inner, requestContext, _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new CredentialUnavailableException($"{_name}: no answer within {_timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Named, so that the chain's final message says which way failed and why.
            var reason = Diagnostics.Errors.CredentialReason(ex.Message);
            throw new CredentialUnavailableException(reason.StartsWith(_name, StringComparison.Ordinal) ? reason : $"{_name}: {reason}", ex);
        }
    }
}
