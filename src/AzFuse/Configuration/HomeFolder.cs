namespace AzFuse.Configuration;

/// <summary>
/// A leading <c>~</c> in a path, as the Python tool reads <c>cache:</c> (<c>os.path.expanduser</c>):
/// <c>~</c> and <c>~/x</c> are the home folder (<c>$HOME</c>), and so is <c>~NAME/x</c> for the
/// user running the process. Without this, <c>~/azfuse</c> would be a folder named '~' in the
/// current directory.
/// </summary>
internal static class HomeFolder
{
    /// <summary>The path with its <c>~</c> expanded, or as it is when it has none.</summary>
    /// <returns><see langword="null"/> for <c>~NAME</c> of another user, whose home .NET cannot look up.</returns>
    public static string? Expand(string path)
    {
        if (!path.StartsWith('~'))
        {
            return path;
        }

        var slash = path.IndexOfAny(['/', '\\']);
        var user = slash < 0 ? path[1..] : path[1..slash];
        if (user.Length > 0 && user != Environment.UserName)
        {
            return null;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return slash < 0 ? home : Path.Join(home, path[(slash + 1)..]);
    }
}
