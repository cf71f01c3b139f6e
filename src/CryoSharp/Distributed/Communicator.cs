namespace CryoSharp.Distributed;

/// <summary>
/// The processes of one run and the reductions between them. <see cref="Single"/> is one process with no MPI (the
/// default: every call is a no-op); <see cref="Start"/> joins the processes <c>mpirun</c> started. Particle-parallel
/// work gives each rank a fixed share (<see cref="Share"/>), accumulates locally, and sums the accumulators with
/// <see cref="SumInPlace(System.Span{double})"/>, which every rank calls in the same order. Rank 0 writes the outputs.
/// </summary>
public sealed class Communicator : IDisposable
{
    // MPI counts are ints: large arrays are reduced in pieces of this many elements.
    private const int Piece = 1 << 26;
    private readonly bool mpi;
    private bool finalized;

    private Communicator(bool mpi, int rank, int size)
    {
        this.mpi = mpi;
        Rank = rank;
        Size = size;
    }

    /// <summary>One process, no MPI.</summary>
    public static Communicator Single { get; } = new(false, 0, 1);

    /// <summary>True when the process was started by Open MPI's <c>mpirun</c> (it sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>This process's rank, from 0.</summary>
    public int Rank { get; }

    /// <summary>Number of processes.</summary>
    public int Size { get; }

    /// <summary>True on rank 0, which reads the inputs' summaries and writes every output.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>True when more than one process takes part.</summary>
    public bool IsDistributed => Size > 1;

    /// <summary>Initialises MPI and joins the world communicator (loads <c>libmpi.so.40</c>).</summary>
    public static Communicator Start()
    {
        MpiLibrary.Load();
        Check(MpiLibrary.Initialized(out int already), "MPI_Initialized");
        if (already == 0)
        {
            Check(MpiLibrary.Init(0, 0), "MPI_Init");
        }

        Check(MpiLibrary.CommRank(MpiLibrary.World, out int rank), "MPI_Comm_rank");
        Check(MpiLibrary.CommSize(MpiLibrary.World, out int size), "MPI_Comm_size");
        return new Communicator(true, rank, size);
    }

    /// <summary>
    /// This rank's share of <paramref name="count"/> items: a contiguous range, the first <c>count mod Size</c> ranks
    /// one item longer, so shares depend only on the count and the number of ranks.
    /// </summary>
    public (int Start, int Count) Share(int count) => ShareOf(Rank, count);

    /// <summary>Rank <paramref name="rank"/>'s share of <paramref name="count"/> items (see <see cref="Share"/>).</summary>
    public (int Start, int Count) ShareOf(int rank, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Size);
        int basic = count / Size, extra = count % Size;
        int start = (rank * basic) + Math.Min(rank, extra);
        return (start, basic + (rank < extra ? 1 : 0));
    }

    /// <summary>Waits for every rank.</summary>
    public void Barrier()
    {
        if (mpi && Size > 1)
        {
            Check(MpiLibrary.Barrier(MpiLibrary.World), "MPI_Barrier");
        }
    }

    /// <summary>Replaces <paramref name="values"/> on every rank by their sum over the ranks.</summary>
    public void SumInPlace(Span<double> values) => SumInPlace(values, MpiLibrary.Double);

    /// <summary>Replaces <paramref name="values"/> on every rank by their sum over the ranks (exact: counts, labels).</summary>
    public void SumInPlace(Span<int> values) => SumInPlace(values, MpiLibrary.Int);

    /// <summary>Replaces <paramref name="values"/> on every rank by their sum over the ranks (exact).</summary>
    public void SumInPlace(Span<long> values) => SumInPlace(values, MpiLibrary.Long);

    /// <summary>Sums every array of <paramref name="values"/> over the ranks; every rank must hold the same keys.</summary>
    public void SumInPlace(SortedDictionary<int, double[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var array in values.Values)
        {
            SumInPlace(array);
        }
    }

    /// <summary>Sums every value of <paramref name="values"/> over the ranks; every rank must hold the same keys.</summary>
    public void SumInPlace(SortedDictionary<int, long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!IsDistributed)
        {
            return;
        }

        var keys = values.Keys.ToArray();
        var sums = values.Values.ToArray();
        SumInPlace(sums);
        for (int i = 0; i < keys.Length; i++)
        {
            values[keys[i]] = sums[i];
        }
    }

    /// <summary>Rank <paramref name="root"/>'s <paramref name="text"/> on every rank (the others pass null).</summary>
    public string BroadcastText(string? text, int root = 0)
    {
        if (!IsDistributed)
        {
            return text ?? throw new ArgumentNullException(nameof(text));
        }

        var bytes = Rank == root ? System.Text.Encoding.UTF8.GetBytes(text ?? throw new ArgumentNullException(nameof(text))) : null;
        Span<long> length = [bytes?.LongLength ?? 0];
        Broadcast(length, root);
        bytes ??= new byte[length[0]];
        Broadcast(bytes.AsSpan(), root);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Replaces <paramref name="values"/> on every rank by rank <paramref name="root"/>'s.</summary>
    public void Broadcast<T>(Span<T> values, int root = 0)
        where T : unmanaged => Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), root);

    /// <summary>Replaces <paramref name="values"/> on every rank by rank <paramref name="root"/>'s.</summary>
    public unsafe void Broadcast(Span<byte> values, int root = 0)
    {
        if (!mpi || Size == 1)
        {
            return;
        }

        fixed (byte* p = values)
        {
            for (int start = 0; start < values.Length; start += Piece)
            {
                int n = Math.Min(Piece, values.Length - start);
                Check(MpiLibrary.Bcast(p + start, n, MpiLibrary.Byte, root, MpiLibrary.World), "MPI_Bcast");
            }
        }
    }

    private unsafe void SumInPlace<T>(Span<T> values, nint datatype)
        where T : unmanaged
    {
        if (!mpi || Size == 1)
        {
            return;
        }

        fixed (T* p = values)
        {
            for (int start = 0; start < values.Length; start += Piece)
            {
                int n = Math.Min(Piece, values.Length - start);
                Check(MpiLibrary.Allreduce(MpiLibrary.InPlace, p + start, n, datatype, MpiLibrary.Sum, MpiLibrary.World), "MPI_Allreduce");
            }
        }
    }

    /// <summary>Finalises MPI (once).</summary>
    public void Dispose()
    {
        if (mpi && !finalized)
        {
            finalized = true;
            MpiLibrary.Finalize();
        }
    }

    /// <summary>Ends every rank at once after an error on one of them (a lone rank leaving would hang the others).</summary>
    public void Abort(int code)
    {
        if (mpi && Size > 1)
        {
            MpiLibrary.Abort(MpiLibrary.World, code);
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new CryoSharpException($"{call} failed with MPI error {code}");
        }
    }
}
