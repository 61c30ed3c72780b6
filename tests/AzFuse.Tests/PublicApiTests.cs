using System.Reflection;
using System.Text;

namespace AzFuse.Tests;

/// <summary>
/// The shipped public surface, listed in PublicApi.txt. A change to it must be deliberate: when
/// this test fails, review PublicApi.received.txt and copy it over PublicApi.txt if intended.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void Public_surface_matches_the_reviewed_listing()
    {
        var actual = Describe(typeof(AzFile).Assembly);
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi.txt");
        var approved = File.ReadAllText(approvedPath).ReplaceLineEndings("\n");

        if (actual != approved)
        {
            var received = Path.Combine(FindTestsFolder(), "PublicApi.received.txt");
            File.WriteAllText(received, actual);
            Assert.Fail($"The public API changed. Review '{received}' and, if intended, replace PublicApi.txt with it.");
        }
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
            var baseType = type.BaseType is { } b && b != typeof(object) && !type.IsValueType ? " : " + b.FullName : string.Empty;
            lines.Add($"{kind} {type.FullName}{baseType}");
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                         .Where(m => m is not MethodInfo { IsSpecialName: true })
                         .Select(Member)
                         .Order(StringComparer.Ordinal))
            {
                lines.Add("  " + member);
            }
        }

        return string.Join('\n', lines) + "\n";
    }

    private static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : string.Empty)}{Name(p.PropertyType)} {p.Name} {{{(p.GetMethod?.IsPublic == true ? " get;" : string.Empty)}{(p.SetMethod?.IsPublic == true ? " set;" : string.Empty)} }}",
        FieldInfo f => $"{(f.IsStatic ? "static " : string.Empty)}{Name(f.FieldType)} {f.Name}",
        _ => member.ToString() ?? member.Name,
    };

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? (p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? "default" : "null")) : string.Empty)}"));

    private static string Name(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var sb = new StringBuilder(type.GetGenericTypeDefinition().FullName![..type.GetGenericTypeDefinition().FullName!.IndexOf('`', StringComparison.Ordinal)]);
        sb.Append('<').Append(string.Join(", ", type.GetGenericArguments().Select(Name))).Append('>');
        return sb.ToString();
    }

    private static string FindTestsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AzFuse.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
