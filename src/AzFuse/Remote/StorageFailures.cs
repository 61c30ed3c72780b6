using System.Security.Authentication;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using Azure;

namespace AzFuse.Remote;

/// <summary>
/// Turns what the Azure SDK throws into the library's exceptions: each names the file or
/// container and says what to do, and says whether trying again may help.
/// </summary>
internal static class StorageFailures
{
    /// <summary>
    /// Whether <paramref name="ex"/> is a 404 for the blob itself; a missing container is an error
    /// that needs a fix, which <see cref="Translate"/> reports.
    /// </summary>
    public static bool IsBlobNotFound(RequestFailedException ex) => ex.Status == 404 && ex.ErrorCode != "ContainerNotFound";

    /// <summary>Whether the service denied access (a 403): the one failure a reloaded credential can cure.</summary>
    public static bool IsAccessDenied(Exception ex) => ex is RequestFailedException { Status: 403 };

    /// <summary>The library's exception for a failure of a request about <paramref name="what"/>; <see langword="null"/> for one it does not translate.</summary>
    public static Exception? Translate(Exception ex, StorageAccount account, string what, TimeSpan stallTimeout, CancellationToken cancellationToken) => ex switch
    {
        AzFuseException => null,
        RequestFailedException { Status: 403 } rf => Errors.AccessDenied(account, what, rf.ErrorCode),
        RequestFailedException { Status: 404, ErrorCode: "ContainerNotFound" } => Errors.ContainerNotFound(account),
        RequestFailedException { Status: 0 } rf when IsCertificateFailure(rf) => Errors.CertificateNotTrusted(account.Endpoint, rf.InnerException ?? rf),
        RequestFailedException { Status: 0 } rf => Errors.ServiceUnreachable(account.Endpoint, rf.InnerException ?? rf),
        RequestFailedException { Status: 409, ErrorCode: "BlobArchived" } => Errors.BlobArchived(what),
        RequestFailedException { Status: 412, ErrorCode: "LeaseIdMissing" or "LeaseIdMismatchWithBlobOperation" } => Errors.BlobLeased(what),
        RequestFailedException rf => Errors.ServiceError(account, what, rf.Status, rf.ErrorCode),
        OperationCanceledException when !cancellationToken.IsCancellationRequested => Errors.RequestTimedOut(account.Endpoint, stallTimeout, ex),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Translate(aggregate.InnerException!, account, what, stallTimeout, cancellationToken),
        _ => null,
    };

    private static bool IsCertificateFailure(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }
}
