using AzFuse.Upload;

namespace AzFuse.Tests.Scale;

/// <summary>
/// A resume or a flush waits on its uploads as one group: one completion for all of them (not a task
/// per file, which a resume of 100,000 files held all at once), and each file's outcome kept.
/// </summary>
public sealed class UploadTicketGroupTests
{
    [Fact]
    public async Task A_group_completes_once_every_ticket_has_and_names_each_failure_in_the_order_claimed()
    {
        var group = new UploadTicketGroup();
        var tickets = Enumerable.Range(0, 5).Select(i => group.Add(Item(i))).ToList();
        group.Seal();

        tickets[3].Complete(new IOException("gone"));
        tickets[0].Complete(null);
        tickets[1].Complete(new IOException("refused"));
        tickets[4].Complete(null);
        Assert.False(group.Completion.IsCompleted);
        tickets[2].Complete(null);

        await group.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["data/1", "data/3"], group.Failures.Select(f => f.Path));
        Assert.All(tickets, t => Assert.True(t.IsCompleted));
    }

    [Fact]
    public void A_ticket_completes_once_and_keeps_its_first_outcome()
    {
        var group = new UploadTicketGroup();
        var ticket = group.Add(Item(0));
        var other = group.Add(Item(1));
        group.Seal();

        ticket.Complete(null);
        ticket.Complete(new IOException("late")); // a second settlement of the same write (it must not count twice)

        Assert.Null(ticket.Failure);
        Assert.False(group.Completion.IsCompleted);
        other.Complete(null);
        Assert.True(group.Completion.IsCompletedSuccessfully);
        Assert.Empty(group.Failures);
    }

    [Fact]
    public void A_group_is_not_complete_before_it_is_sealed_even_if_every_ticket_so_far_is()
    {
        var group = new UploadTicketGroup();
        group.Add(Item(0)).Complete(null);
        Assert.False(group.Completion.IsCompleted);

        group.Seal();
        Assert.True(group.Completion.IsCompletedSuccessfully);

        var empty = new UploadTicketGroup();
        empty.Seal();
        Assert.True(empty.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_ticket_of_its_own_completes_its_task()
    {
        var ticket = new UploadTicket(Item(0));
        ticket.Complete(new IOException("refused"));

        Assert.True(ticket.Completion.IsCompletedSuccessfully);
        Assert.Equal("data/0", (await ticket.Completion)!.Path);
        Assert.Equal("data/0", ticket.Failure!.Path);
    }

    private static PendingItem Item(int i) =>
        new(new PendingUpload(i + 1, "acct", $"blob/{i}", $"data/{i}", "/cache", $"/cache/{i}.bin", Staged: false, DateTimeOffset.UtcNow, Guid.NewGuid()), default, null!, "/cache");
}
