namespace CryoSharp.Poses;

/// <summary>
/// The k nearest candidates seen so far, for brute-force neighbour searches: a max-heap by distance whose root is the
/// farthest kept, so each candidate costs one comparison unless it displaces the root. Reused per thread.
/// </summary>
internal sealed class NearestSet(int capacity)
{
    private readonly PriorityQueue<int, double> heap = new(capacity + 1);

    /// <summary>How many the set keeps.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>The distance of the farthest kept, or +∞ while the set is not full.</summary>
    public double Farthest => heap.Count == Capacity && heap.TryPeek(out int _, out double negated) ? -negated : double.PositiveInfinity;

    /// <summary>Empties the set for the next search.</summary>
    public void Clear() => heap.Clear();

    /// <summary>Keeps <paramref name="candidate"/> when it is among the nearest so far.</summary>
    public void Offer(int candidate, double distance)
    {
        // Negated distances: PriorityQueue's root is its smallest priority, here the farthest candidate.
        if (heap.Count < Capacity)
        {
            heap.Enqueue(candidate, -distance);
        }
        else if (distance < Farthest)
        {
            heap.DequeueEnqueue(candidate, -distance);
        }
    }

    /// <summary>The kept candidates, nearest first (the set is left empty).</summary>
    public int[] TakeNearestFirst()
    {
        var nearest = new int[heap.Count];
        for (int r = nearest.Length - 1; r >= 0; r--)
        {
            nearest[r] = heap.Dequeue();
        }

        return nearest;
    }
}
