using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Hosting;
using PepperCache.Server.Resp;

namespace PepperCache.Microbenchmarks;

/// <summary>
/// The whole in-process path of a pipelined batch: parse -> dispatch -> store -> reply, with no socket.
/// Per-operation figures divide by <see cref="BatchSize"/> (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class CommandPathBenchmarks
{
    private const int BatchSize = 16;
    private ReadOnlySequence<byte> _getBatch;
    private ReadOnlySequence<byte> _setBatch;
    private CommandContext _context = null!;
    private RespRequest _request = null!;
    private readonly ReusableWriter _output = new();

    [GlobalSetup]
    public void Setup()
    {
        var store = new KeyValueStore();
        var state = new ServerState(store, Options.Create(new PepperCacheOptions()), new ClientRegistry(),
            new CommandDispatcher(CommandTable.CreateDefault()));
        _request = new RespRequest();
        _context = new CommandContext(state, new ClientSession(1, null, null, 0), _request) { Output = _output };
        var value = new string('v', 32);
        var gets = new StringBuilder();
        var sets = new StringBuilder();
        for (var i = 0; i < BatchSize; i++)
        {
            var key = $"key:{i * 7919 % 100000:D12}";
            store.Set(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(value));
            gets.Append($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n");
            sets.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n$32\r\n{value}\r\n");
        }

        _getBatch = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(gets.ToString()));
        _setBatch = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(sets.ToString()));
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int GetBatch() => Run(_getBatch);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int SetBatch() => Run(_setBatch);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int ParseOnly()
    {
        var reader = new SequenceReader<byte>(_getBatch);
        var n = 0;
        while (RespParser.TryReadCommand(ref reader, _request))
        {
            n += _request.Count;
        }

        return n;
    }

    private int Run(ReadOnlySequence<byte> batch)
    {
        _output.Reset();
        var reader = new SequenceReader<byte>(batch);
        var dispatcher = _context.Server.Dispatcher;
        while (RespParser.TryReadCommand(ref reader, _request))
        {
            dispatcher.Execute(_context);
        }

        return _output.Written;
    }

    /// <summary>An IBufferWriter over one reused array, so the benchmark measures our code, not the writer.</summary>
    private sealed class ReusableWriter : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[1 << 20];

        public int Written { get; private set; }

        public void Reset() => Written = 0;

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Written);

        public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Written);
    }
}
