namespace Actions.Data.Jq;

/// <summary>
/// What one evaluation may cost, so that no program runs away with the memory or a thread (<c>[range(1e9)]</c>,
/// <c>recurse(. + 1)</c>, products of long comma lists): values copied into new arrays and objects (nodes) and
/// outputs produced (steps). Set for the thread while an evaluation step runs (<see cref="JqProgram"/>).
/// </summary>
internal sealed class JqBudget
{
    /// <summary>Nodes copied into new values: about 100 MB, twice a 10 MB response's nodes and more.</summary>
    public const long MaxNodes = 2_000_000;

    /// <summary>Outputs produced anywhere in the program: a few seconds of work.</summary>
    public const long MaxSteps = 20_000_000;

    [ThreadStatic] private static JqBudget? t_current;

    private long _nodes = MaxNodes;
    private long _steps = MaxSteps;

    /// <summary>Makes this the budget of the current thread until the scope is disposed.</summary>
    public Scope Enter()
    {
        var previous = t_current;
        t_current = this;
        return new Scope(previous);
    }

    public readonly struct Scope(JqBudget? previous) : IDisposable
    {
        public void Dispose() => t_current = previous;
    }

    public static void SpendNodes(long nodes)
    {
        if (t_current is { } budget && (budget._nodes -= nodes) < 0)
            throw new JqRuntimeException($"Program builds too much (more than {MaxNodes} values)");
    }

    public static void SpendStep()
    {
        if (t_current is { } budget && --budget._steps < 0)
            throw new JqRuntimeException($"Program does too much work (more than {MaxSteps} steps)");
    }
}
