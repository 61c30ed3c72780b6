using Azure.Core;
using Azure.Identity;

namespace AzFuse.Testing;

/// <summary>
/// A <see cref="TokenCredential"/> whose tokens Azurite's <c>--oauth basic</c> accepts (see
/// <see cref="AzuriteTokens"/>), with the knobs a test needs: a token lifetime short enough to
/// see tokens expire, a count of tokens issued, and a switch that makes it fail the way a real
/// credential does (<see cref="AuthenticationFailedException"/>). Thread-safe.
/// </summary>
public sealed class AzuriteTokenCredential : TokenCredential
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<TokenRequestContext> _requests = [];
    private int _issued;
    private volatile bool _fails;

    public AzuriteTokenCredential(TimeSpan? lifetime = null, TimeProvider? timeProvider = null)
    {
        Lifetime = lifetime ?? TimeSpan.FromHours(1);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long each new token is valid. Default: one hour. Azurite allows no clock skew.</summary>
    public TimeSpan Lifetime { get; set; }

    /// <summary>The <c>oid</c> claim. Default: <see cref="AzuriteTokens.DefaultObjectId"/>.</summary>
    public Guid ObjectId { get; set; } = AzuriteTokens.DefaultObjectId;

    /// <summary>The <c>tid</c> claim. Default: <see cref="AzuriteTokens.DefaultTenantId"/>.</summary>
    public Guid TenantId { get; set; } = AzuriteTokens.DefaultTenantId;

    /// <summary>A wait before each token (or failure), honouring cancellation. Default: none.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// While true, every request for a token throws <see cref="AuthenticationFailedException"/>
    /// with <see cref="FailureMessage"/>. Default: false.
    /// </summary>
    public bool Fails
    {
        get => _fails;
        set => _fails = value;
    }

    /// <summary>The message of the exception thrown while <see cref="Fails"/> is set.</summary>
    public string FailureMessage { get; set; } = "AzuriteTokenCredential was told to fail.";

    /// <summary>How many tokens were issued (failures not counted).</summary>
    public int IssuedCount => Volatile.Read(ref _issued);

    /// <summary>How many times a token was asked for, failed or not.</summary>
    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Every request for a token so far (scopes, tenant, claims), in order.</summary>
    public IReadOnlyList<TokenRequestContext> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero)
        {
            cancellationToken.WaitHandle.WaitOne(Delay);
        }

        return Issue(requestContext, cancellationToken);
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, _time, cancellationToken).ConfigureAwait(false);
        }

        return Issue(requestContext, cancellationToken);
    }

    private AccessToken Issue(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _requests.Add(requestContext);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_fails)
        {
            throw new AuthenticationFailedException(FailureMessage);
        }

        var now = _time.GetUtcNow();
        var lifetime = Lifetime;
        var token = AzuriteTokens.Create(now, lifetime, ObjectId, TenantId);
        Interlocked.Increment(ref _issued);
        return new AccessToken(token, now.Add(lifetime));
    }
}
