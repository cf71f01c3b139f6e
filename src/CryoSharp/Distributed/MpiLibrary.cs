using System.Runtime.InteropServices;

namespace CryoSharp.Distributed;

/// <summary>
/// The few calls of Open MPI (<c>libmpi.so.40</c>, Debian's <c>libopenmpi3</c>, the library RELION's MPI programs use)
/// that CryoSharp needs, bound directly: the MPI.NET package is built for Microsoft MPI's integer handles and crashes on
/// Open MPI, whose handles are the addresses of exported globals (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>).
/// Loaded only when MPI is asked for.
/// </summary>
internal static unsafe partial class MpiLibrary
{
    public const string Name = "libmpi.so.40";

    /// <summary>Open MPI's MPI_IN_PLACE.</summary>
    public static readonly void* InPlace = (void*)1;

    private static nint library;
    private static delegate* unmanaged<int*, int> initialized;
    private static delegate* unmanaged<nint, nint, int> init;
    private static delegate* unmanaged<int> finalize;
    private static delegate* unmanaged<nint, int*, int> commRank;
    private static delegate* unmanaged<nint, int*, int> commSize;
    private static delegate* unmanaged<nint, int> barrier;
    private static delegate* unmanaged<void*, int, nint, int, nint, int> bcast;
    private static delegate* unmanaged<void*, void*, int, nint, nint, nint, int> allreduce;
    private static delegate* unmanaged<nint, int, int> abort;

    /// <summary>MPI_COMM_WORLD.</summary>
    public static nint World { get; private set; }

    /// <summary>MPI_DOUBLE.</summary>
    public static nint Double { get; private set; }

    /// <summary>MPI_INT.</summary>
    public static nint Int { get; private set; }

    /// <summary>MPI_LONG_LONG_INT.</summary>
    public static nint Long { get; private set; }

    /// <summary>MPI_BYTE.</summary>
    public static nint Byte { get; private set; }

    /// <summary>MPI_SUM.</summary>
    public static nint Sum { get; private set; }

    /// <summary>
    /// Loads the library and its handles; throws <see cref="NativeDependencyException"/> naming the Debian package
    /// when it is missing.
    /// </summary>
    public static void Load()
    {
        if (library != 0)
        {
            return;
        }

        // Open MPI's components are plug-ins that need the library's symbols: it must be loaded globally (RTLD_GLOBAL),
        // which .NET's own loader does not do.
        library = DlOpen(Name, 0x102); // RTLD_NOW | RTLD_GLOBAL
        if (library == 0)
        {
            throw new NativeDependencyException(
                $"MPI was asked for (mpirun or --mpi) but {Name} cannot be loaded: install Open MPI (apt-get install openmpi-bin libopenmpi3)");
        }

        // Called through pointers taken from this handle: the assembly's import resolver belongs to FFTW.
        initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "MPI_Initialized");
        init = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Init");
        finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "MPI_Finalize");
        commRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_size");
        barrier = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "MPI_Barrier");
        bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)NativeLibrary.GetExport(library, "MPI_Bcast");
        allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Allreduce");
        abort = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "MPI_Abort");
        World = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
        Double = NativeLibrary.GetExport(library, "ompi_mpi_double");
        Int = NativeLibrary.GetExport(library, "ompi_mpi_int");
        Long = NativeLibrary.GetExport(library, "ompi_mpi_long_long_int");
        Byte = NativeLibrary.GetExport(library, "ompi_mpi_byte");
        Sum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
    }

    [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);

    public static int Initialized(out int flag)
    {
        int value;
        int code = initialized(&value);
        flag = value;
        return code;
    }

    public static int Init(nint argc, nint argv) => init(argc, argv);

    public static int Finalize() => finalize();

    public static int CommRank(nint comm, out int rank)
    {
        int value;
        int code = commRank(comm, &value);
        rank = value;
        return code;
    }

    public static int CommSize(nint comm, out int size)
    {
        int value;
        int code = commSize(comm, &value);
        size = value;
        return code;
    }

    public static int Barrier(nint comm) => barrier(comm);

    public static int Bcast(void* buffer, int count, nint datatype, int root, nint comm) => bcast(buffer, count, datatype, root, comm);

    public static int Allreduce(void* send, void* receive, int count, nint datatype, nint op, nint comm) =>
        allreduce(send, receive, count, datatype, op, comm);

    public static int Abort(nint comm, int code) => abort(comm, code);
}
