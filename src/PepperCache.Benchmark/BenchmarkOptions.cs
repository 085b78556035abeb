namespace PepperCache.Benchmark;

/// <summary>One server to measure: a name for the tables and where it listens.</summary>
internal sealed record Target(string Name, string Host, int Port)
{
    public string EndPoint => $"{Host}:{Port}";
}

/// <summary>The tests pepper-benchmark knows, in the order it runs them.</summary>
internal enum TestKind
{
    Ping,
    Set,
    Get,
    Incr,
    Mset,
    Del,
    Mixed,

    /// <summary>
    /// --cache-aside: GET a key; on a nil reply SET it (-d bytes), as an application in front of a database does.
    /// -n counts the GETs; hits and misses give the hit ratio. Not selectable with -t.
    /// </summary>
    CacheAside,
}

/// <summary>Validated options for a run; built by <see cref="OptionsParser"/>.</summary>
internal sealed record BenchmarkOptions
{
    public required IReadOnlyList<Target> Targets { get; init; }

    public required IReadOnlyList<TestKind> Tests { get; init; }

    public int Clients { get; init; } = 50;

    /// <summary>Requests per test; ignored when <see cref="Duration"/> is set.</summary>
    public long Requests { get; init; } = 100_000;

    public TimeSpan? Duration { get; init; }

    public int Pipeline { get; init; } = 1;

    public int DataSize { get; init; } = 3;

    /// <summary>Keyspace size; 0 means one fixed key per test (redis-benchmark's behaviour without -r).</summary>
    public long Keyspace { get; init; }

    /// <summary>Percentage of GETs in the mixed test.</summary>
    public int ReadPercent { get; init; } = 80;

    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    /// <summary>Unmeasured requests before each test (instead of <see cref="Warmup"/> seconds); 0 for none.</summary>
    public long WarmupRequests { get; init; }

    public KeyDistribution KeyDistribution { get; init; }

    /// <summary>--simulate-lru: replay the trace through an exact LRU of this many keys instead of measuring a server.</summary>
    public long? SimulateLru { get; init; }

    /// <summary>--simulate-lfu: as <see cref="SimulateLru"/>, with an exact LFU.</summary>
    public long? SimulateLfu { get; init; }

    public bool Simulates => SimulateLru is not null || SimulateLfu is not null;

    public int Seed { get; init; } = 1;

    public bool Cluster { get; init; }

    public int Rounds { get; init; } = 1;

    /// <summary>A test fails when no reply at all arrives for this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public string? JsonFile { get; init; }

    public bool Csv { get; init; }

    public string? PlotFile { get; init; }

    public bool Quiet { get; init; }

    /// <summary>The checks that span options (each option's own range is checked as it is read).</summary>
    /// <exception cref="FormatException">A combination that cannot run.</exception>
    public BenchmarkOptions Validate()
    {
        if (Warmup > TimeSpan.Zero && WarmupRequests > 0)
        {
            throw new FormatException("--warmup (seconds) and --warmup-requests (a count) exclude each other");
        }

        if (KeyDistribution.IsZipf && Keyspace == 0)
        {
            throw new FormatException($"--key-distribution {KeyDistribution} needs a keyspace (-r N)");
        }

        if (Simulates)
        {
            // The simulator replays a count of requests; seconds of load cannot be replayed.
            if (Keyspace == 0)
            {
                throw new FormatException("--simulate-lru/--simulate-lfu need a keyspace (-r N)");
            }

            if (Duration is not null || Warmup > TimeSpan.Zero)
            {
                throw new FormatException("--simulate-lru/--simulate-lfu replay a count: use -n and --warmup-requests, not --duration or --warmup");
            }
        }

        return this;
    }
}
