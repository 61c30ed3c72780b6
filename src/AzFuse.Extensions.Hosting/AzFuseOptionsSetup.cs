using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AzFuse.Extensions.Hosting;

/// <summary>
/// Binds <see cref="AzFuseOptions"/> from a configuration section, key by key, and reports what
/// could not be bound when the options are validated (at the host's start).
/// </summary>
/// <remarks>
/// Not <c>ConfigurationBinder</c>: the options check each value in its setter, and the binder
/// would surface that as a reflection exception naming neither the key nor the section, and it
/// ignores misspelt keys. Here each failure names its full key (<c>AzFuse:TransferAttempts</c>)
/// and all of them are reported together. Only plain values bind; the credential, transport and
/// clock are objects that code sets (<c>services.Configure&lt;AzFuseOptions&gt;(o =&gt; ...)</c>).
/// </remarks>
internal sealed class AzFuseOptionsSetup(IConfiguration configuration) : IConfigureOptions<AzFuseOptions>, IValidateOptions<AzFuseOptions>
{
    private static readonly PropertyInfo[] s_bindable = typeof(AzFuseOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.SetMethod!.IsPublic && IsPlain(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .ToArray();

    private readonly ConditionalWeakTable<AzFuseOptions, List<string>> _errors = [];

    public void Configure(AzFuseOptions options)
    {
        var errors = new List<string>();
        foreach (var entry in configuration.GetChildren())
        {
            if (Bind(options, entry) is { } error)
            {
                errors.Add(error);
            }
        }

        _errors.AddOrUpdate(options, errors);
    }

    public ValidateOptionsResult Validate(string? name, AzFuseOptions options)
    {
        var errors = _errors.TryGetValue(options, out var found) ? new List<string>(found) : [];
        if (options.Enabled && string.IsNullOrWhiteSpace(options.MappingFile))
        {
            errors.Add(HostingErrors.MappingFileNotSet(KeyOf(nameof(AzFuseOptions.MappingFile)), KeyOf(nameof(AzFuseOptions.Enabled))));
        }
        else if (options.Enabled && !File.Exists(options.MappingFile))
        {
            errors.Add(HostingErrors.MappingFileMissing(KeyOf(nameof(AzFuseOptions.MappingFile)), options.MappingFile!));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private string KeyOf(string property) => configuration is IConfigurationSection section ? section.Path + ":" + property : property;

    private static string? Bind(AzFuseOptions options, IConfigurationSection entry)
    {
        var property = s_bindable.FirstOrDefault(p => string.Equals(p.Name, entry.Key, StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            return HostingErrors.UnknownKey(entry.Path, s_bindable.Select(p => p.Name));
        }

        if (entry.Value is null)
        {
            return HostingErrors.NotAValue(entry.Path);
        }

        object? value;
        try
        {
            value = TypeDescriptor.GetConverter(property.PropertyType).ConvertFromInvariantString(entry.Value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            return HostingErrors.NotConvertible(entry.Path, entry.Value, property.PropertyType);
        }

        try
        {
            property.SetValue(options, value);
            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException invalid)
        {
            return HostingErrors.ValueRejected(entry.Path, entry.Value, invalid);
        }
    }

    private static bool IsPlain(Type type) =>
        type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long) || type == typeof(TimeSpan) || type.IsEnum;
}
