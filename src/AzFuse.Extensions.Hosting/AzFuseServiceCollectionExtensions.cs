using AzFuse;
using AzFuse.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AzFuse in a service collection.</summary>
public static class AzFuseServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AzFuseOptions"/> from <paramref name="configuration"/> (such as
    /// <c>configuration.GetSection("AzFuse")</c>, keys named as the properties: <c>Enabled</c>,
    /// <c>MappingFile</c>, <c>TransferAttempts</c>, ...), validated when the host starts (an unknown
    /// key or a bad value fails the start with a message naming the key); registers one
    /// <see cref="AzFuseClient"/>; and adds a hosted service that resumes pending uploads at start
    /// and uploads what is still queued at stop, within the host's shutdown timeout.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section of AzFuse's options.</param>
    /// <param name="configureHosting">Changes how the client is tied to the host (see <see cref="AzFuseHostingOptions"/>).</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAzFuse(this IServiceCollection services, IConfiguration configuration, Action<AzFuseHostingOptions>? configureHosting = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var setup = new AzFuseOptionsSetup(configuration);
        services.AddSingleton<IConfigureOptions<AzFuseOptions>>(setup);
        services.AddSingleton<IValidateOptions<AzFuseOptions>>(setup);
        services.AddOptions<AzFuseOptions>().ValidateOnStart();
        var hosting = services.AddOptions<AzFuseHostingOptions>();
        if (configureHosting is not null)
        {
            hosting.Configure(configureHosting);
        }

        services.TryAddSingleton(sp => new AzFuseClient(sp.GetRequiredService<IOptions<AzFuseOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.AddHostedService<AzFuseHostedService>();
        return services;
    }
}
