using System.Text.Json;
using System.Text.Json.Serialization;

namespace AzFuse.Upload;

/// <summary>
/// Reads a journal field that holds one of a few values in every line (the storage account's name,
/// the cache folder) as one shared string: read as a new string per line, a journal of 100,000
/// records held 100,000 copies of each while its records were pending.
/// </summary>
/// <remarks>
/// Interned: the distinct values are the mappings' accounts and cache folders, a handful, which the
/// process keeps in its configuration anyway.
/// </remarks>
internal sealed class SharedStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } value ? string.Intern(value) : null;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
