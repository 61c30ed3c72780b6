using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace AzFuse.Testing;

/// <summary>
/// How a link to a storage account behaves: a delay on everything sent, each way, and a cap on each
/// connection's throughput, each way (a link to another region: 10 ms each way, 25 MB/s per connection).
/// </summary>
/// <param name="OneWayDelay">Added to every byte's trip in each direction (a round trip gains twice this).</param>
/// <param name="BytesPerSecond">The most each connection moves per second in each direction; 0 for no cap.</param>
public sealed record LinkProfile(TimeSpan OneWayDelay, long BytesPerSecond)
{
    /// <summary>No delay, no cap: the proxy only counts and injects faults.</summary>
    public static LinkProfile Loopback { get; } = new(TimeSpan.Zero, 0);

    /// <summary>A storage account in another region, as the benchmark's link profile: 10 ms each way, 25 MB/s per connection.</summary>
    public static LinkProfile OtherRegion { get; } = new(TimeSpan.FromMilliseconds(10), 25_000_000);

    public override string ToString() =>
        BytesPerSecond == 0 && OneWayDelay == TimeSpan.Zero
            ? "loopback"
            : string.Create(CultureInfo.InvariantCulture, $"{OneWayDelay.TotalMilliseconds:0.#} ms each way, {BytesPerSecond / 1e6:0.#} MB/s per connection");
}

/// <summary>
/// A TCP proxy on loopback in front of a server (Azurite): it delays and paces what crosses it as a
/// <see cref="LinkProfile"/> says, counts the bytes each way, lists the HTTP requests it forwarded
/// (request line and range header), and can reset a connection in the middle of a chosen response:
/// what a real network does and a real server cannot be asked to do on demand. Requests and
/// responses pass byte for byte; nothing is rewritten.
/// </summary>
public sealed class LinkProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 << 10;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Task _accepting;
    private int _open;
    private int _rangeMd5Requests;
    private long _downstream;
    private long _upstream;
    private ResetRule? _reset;

    private LinkProxy(IPEndPoint target, LinkProfile profile)
    {
        _target = target;
        Profile = profile;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public LinkProfile Profile { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes sent from the server to clients so far (response heads and bodies).</summary>
    public long BytesToClients => Interlocked.Read(ref _downstream);

    /// <summary>Bytes sent from clients to the server so far (request heads and bodies).</summary>
    public long BytesToServer => Interlocked.Read(ref _upstream);

    /// <summary>Connections open now: 0 once every byte a client sent before it went away has been delivered and both sides closed.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>The requests forwarded so far, in order: "METHOD /path?query" and, for a ranged GET, " range=bytes=A-B".</summary>
    public IReadOnlyList<string> Requests => _requests.ToList();

    /// <summary>How many of the forwarded requests asked for the MD5 of their range (<c>x-ms-range-get-content-md5: true</c>).</summary>
    public int RangeMd5Requests => Volatile.Read(ref _rangeMd5Requests);

    /// <summary>Starts a proxy on a free loopback port in front of <paramref name="server"/>'s port.</summary>
    public static LinkProxy Start(AzuriteServer server, LinkProfile profile) => new(new IPEndPoint(IPAddress.Loopback, server.Port), profile);

    /// <summary>The account endpoint through the proxy: <paramref name="server"/>'s, with the proxy's port.</summary>
    public Uri EndpointFor(AzuriteServer server) => new UriBuilder(server.Endpoint) { Port = Port }.Uri;

    /// <summary>Clears the byte counters and the request list.</summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref _downstream, 0);
        Interlocked.Exchange(ref _upstream, 0);
        Interlocked.Exchange(ref _rangeMd5Requests, 0);
        _requests.Clear();
    }

    /// <summary>
    /// The next request whose head (request line and headers) <paramref name="matches"/> has its
    /// connection reset (TCP RST) once <paramref name="afterBytes"/> bytes of its response have reached
    /// the client. Once: later requests pass untouched.
    /// </summary>
    public void ResetOnce(Func<string, bool> matches, long afterBytes) => _reset = new ResetRule(matches, afterBytes);

    /// <summary>Whether the reset asked for by <see cref="ResetOnce"/> has happened.</summary>
    public bool HasReset => _reset is { Fired: true };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets.Add(client);
        _sockets.Add(server);
        Interlocked.Increment(ref _open);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            var connection = new Connection();
            await Task.WhenAll(
                PumpAsync(client, server, connection, toServer: true),
                PumpAsync(server, client, connection, toServer: false));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException or ChannelClosedException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>One direction of one connection: read as it comes, deliver each piece after the delay and no faster than the cap.</summary>
    private async Task PumpAsync(Socket from, Socket to, Connection connection, bool toServer)
    {
        var pieces = Channel.CreateBounded<(byte[] Bytes, int Count, long DueAt)>(new BoundedChannelOptions(128) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var buffer = new byte[ChunkSize];
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    if (toServer)
                    {
                        connection.SawRequestBytes(buffer.AsSpan(0, read), this);
                    }

                    await pieces.Writer.WriteAsync((buffer, read, Stopwatch.GetTimestamp() + Ticks(Profile.OneWayDelay)), _stop.Token);
                }
            }
            finally
            {
                pieces.Writer.TryComplete();
            }
        });

        long linkFreeAt = 0;
        try
        {
            await foreach (var (bytes, count, dueAt) in pieces.Reader.ReadAllAsync(_stop.Token))
            {
                // Each piece leaves once its delay has passed and the link is free: a capped link is
                // busy count / rate seconds per piece (a short backlog may go in a burst).
                var now = Stopwatch.GetTimestamp();
                var start = Math.Max(dueAt, linkFreeAt);
                if (start - now > Ticks(TimeSpan.FromMilliseconds(1)))
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(now, start), _stop.Token);
                }

                var rate = Profile.BytesPerSecond;
                linkFreeAt = rate > 0 ? Math.Max(start, Stopwatch.GetTimestamp() - Ticks(TimeSpan.FromMilliseconds(5))) + (count * Stopwatch.Frequency / rate) : 0;

                var allowed = toServer ? count : connection.AllowedDownstream(count);
                if (allowed > 0)
                {
                    await to.SendAsync(bytes.AsMemory(0, allowed), SocketFlags.None, _stop.Token);
                    Interlocked.Add(ref toServer ? ref _upstream : ref _downstream, allowed);
                }

                if (allowed < count)
                {
                    // The chosen response is cut here: an RST, as a dropped connection looks to the client.
                    to.LingerState = new LingerOption(true, 0);
                    to.Close();
                    from.Close();
                    return;
                }
            }

            // The sender is done: let the other side see the end of the stream.
            to.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            // Its failure (a closed socket) is just the end of this connection.
            await reading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private sealed class ResetRule(Func<string, bool> matches, long afterBytes)
    {
        public Func<string, bool> Matches { get; } = matches;

        public long AfterBytes { get; } = afterBytes;

        public bool Fired { get; set; }
    }

    /// <summary>What the proxy knows of one connection: where its request stream is, and whether a response on it is to be cut.</summary>
    private sealed class Connection
    {
        private readonly StringBuilder _head = new();
        private long _bodyLeft;
        private bool _lost;
        private long _cutAfter = -1;

        /// <summary>Follows the request stream: heads are read (and listed), bodies skipped by their Content-Length.</summary>
        public void SawRequestBytes(ReadOnlySpan<byte> bytes, LinkProxy proxy)
        {
            while (!_lost && bytes.Length > 0)
            {
                if (_bodyLeft > 0)
                {
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length);
                    _bodyLeft -= skip;
                    bytes = bytes[skip..];
                    continue;
                }

                var end = -1;
                for (var i = 0; i < bytes.Length; i++)
                {
                    _head.Append((char)bytes[i]);
                    if (_head.Length >= 4 && _head[^1] == '\n' && _head[^2] == '\r' && _head[^3] == '\n' && _head[^4] == '\r')
                    {
                        end = i;
                        break;
                    }
                }

                if (end < 0)
                {
                    _lost = _head.Length > 64 << 10; // not HTTP as expected: stop following
                    return;
                }

                bytes = bytes[(end + 1)..];
                OnRequest(_head.ToString(), proxy);
                _head.Clear();
            }
        }

        /// <summary>How many of the next <paramref name="count"/> response bytes may pass: fewer means "cut here".</summary>
        public int AllowedDownstream(int count)
        {
            var left = Interlocked.Read(ref _cutAfter);
            if (left < 0)
            {
                return count;
            }

            var allowed = (int)Math.Min(count, left);
            Interlocked.Add(ref _cutAfter, -allowed);
            return allowed;
        }

        private void OnRequest(string head, LinkProxy proxy)
        {
            var lines = head.Split("\r\n");
            var requestLine = lines[0];
            var path = requestLine.Split(' ') is [var method, var target, ..] ? method + " " + target : requestLine;
            string? range = null;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    _bodyLeft = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("x-ms-range", StringComparison.OrdinalIgnoreCase) || (range is null && name.Equals("Range", StringComparison.OrdinalIgnoreCase)))
                {
                    range = value;
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    _lost = true; // chunked bodies are not followed
                }
                else if (name.Equals("x-ms-range-get-content-md5", StringComparison.OrdinalIgnoreCase) && value.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref proxy._rangeMd5Requests);
                }
            }

            proxy._requests.Enqueue(range is null ? path : $"{path} range={range}");
            if (proxy._reset is { Fired: false } rule && rule.Matches(head))
            {
                rule.Fired = true;
                Interlocked.Exchange(ref _cutAfter, rule.AfterBytes);
            }
        }
    }
}
