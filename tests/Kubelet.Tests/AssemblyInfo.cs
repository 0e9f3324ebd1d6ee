// Every test here starts real processes on a small shared machine; running collections side by side only
// turns CPU contention into timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
