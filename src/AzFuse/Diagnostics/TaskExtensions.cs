using System.Diagnostics;

namespace AzFuse.Diagnostics;

/// <summary>Support for the shared sync/async code paths (the Azure SDK's <c>bool async</c> pattern).</summary>
internal static class TaskExtensions
{
    /// <summary>
    /// Returns the result of a <see cref="ValueTask{T}"/> that ran with <c>async: false</c> and
    /// therefore completed synchronously; it never blocks on real asynchronous work.
    /// </summary>
    public static T EnsureCompleted<T>(this ValueTask<T> task)
    {
        Debug.Assert(task.IsCompleted, "A synchronous code path awaited real asynchronous work.");
        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="EnsureCompleted{T}(ValueTask{T})"/>
    public static void EnsureCompleted(this ValueTask task)
    {
        Debug.Assert(task.IsCompleted, "A synchronous code path awaited real asynchronous work.");
        task.GetAwaiter().GetResult();
    }
}
