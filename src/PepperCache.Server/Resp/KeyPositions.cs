namespace PepperCache.Server.Resp;

/// <summary>
/// The argument indexes of a command's keys, spec by spec, with the spec each belongs to: a struct enumerator, so
/// routing and ACL checks find keys without allocating. Empty when any spec finds the arguments invalid (Redis then
/// reports no keys, and the command itself answers the syntax error).
/// </summary>
internal ref struct KeyPositions
{
    private readonly ArgumentView _arguments;
    private readonly KeySpec[] _specs;
    private int _spec;
    private KeyRange _range;
    private int _next;

    public KeyPositions(CommandDefinition command, ArgumentView arguments)
    {
        _arguments = arguments;
        _specs = command.KeySpecs;
        _spec = -1;
        _range = KeyRange.None;
        _next = 0;
        foreach (var spec in _specs)
        {
            if (spec.Resolve(arguments).IsInvalid)
            {
                _specs = [];
                break;
            }
        }
    }

    /// <summary>The key's argument index (in the view) and the spec that found it.</summary>
    public (int Index, KeySpec Spec) Current { get; private set; }

    public readonly KeyPositions GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            if (_next <= _range.Last)
            {
                Current = (_next, _specs[_spec]);
                _next += _range.Step;
                return true;
            }

            if (++_spec >= _specs.Length)
            {
                return false;
            }

            _range = _specs[_spec].Resolve(_arguments);
            _next = _range.First;
        }
    }
}
