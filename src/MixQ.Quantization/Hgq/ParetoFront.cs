namespace MixQ.Quantization.Hgq;

/// <summary>
/// The (accuracy up, EBOPs down) Pareto front of the checkpoints of one run. <see cref="Offer"/> says whether a new
/// point joins the front (so its checkpoint is worth saving) and which earlier points it pushes off.
/// A point equal to one already on the front does not join (the earlier checkpoint stands for both).
/// </summary>
public sealed class ParetoFront
{
    private readonly List<ParetoPoint> _points = [];

    /// <summary>Front points by increasing EBOPs.</summary>
    public IReadOnlyList<ParetoPoint> Points => _points.OrderBy(p => p.Ebops).ThenByDescending(p => p.TestAccuracy).ToList();

    /// <summary>Whether <paramref name="point"/> is not dominated by (or equal to) any front point.</summary>
    public bool WouldJoin(ParetoPoint point) =>
        !_points.Any(p => p.Dominates(point) || (p.Ebops == point.Ebops && p.TestAccuracy == point.TestAccuracy));

    /// <summary>Adds <paramref name="point"/> if it joins the front; returns the points it removed (empty if none or if it did not join).</summary>
    public (bool Joined, IReadOnlyList<ParetoPoint> Removed) Offer(ParetoPoint point)
    {
        if (!WouldJoin(point)) return (false, []);
        var removed = _points.Where(point.Dominates).ToList();
        _points.RemoveAll(point.Dominates);
        _points.Add(point);
        return (true, removed);
    }
}
