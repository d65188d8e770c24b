using Grains.Interfaces;

namespace Grains;

[GenerateSerializer, Alias("QualificationTestState")]
public sealed class QualificationTestState
{
    [Id(0)] public QualificationTest? Test { get; set; }
}

/// <summary>The qualification test of one kind; every item is checked against its instance when a manager sets it.</summary>
public sealed class QualificationTestGrain(
    [PersistentState("qualification-test", StorageNames.Annotation)] IPersistentState<QualificationTestState> state)
    : Grain, IQualificationTestGrain
{
    string Kind => this.GetPrimaryKeyString();

    public async Task<QualificationTest> Set(QualificationTest test)
    {
        if (test is null) throw new AnnotationRejectedException(RejectionCodes.Invalid, nameof(test), "The test is missing.");
        if (!QualificationKinds.All.Contains(Kind) || test.Kind != Kind)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "kind", $"'{test.Kind}' is not this test's kind ({Kind}).");
        if (test.InstanceKeys is not { Count: >= 1 and <= QualificationTest.MaxItems })
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "items", $"A test has 1 to {QualificationTest.MaxItems} items.");
        if (!(test.MinMeanIoU is >= 0 and <= 1))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "minMeanIoU", $"minMeanIoU {test.MinMeanIoU} is outside [0, 1].");
        if (test.MinRightPolarityShare is { } share && (Kind != QualificationKinds.Corrective || !(share is >= 0 and <= 1)))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "minRightPolarityShare",
                "minRightPolarityShare is a share in [0, 1], for the corrective test only (a painting has no clicks).");
        if (test.RetryAfter < TimeSpan.Zero || test.RetryAfter > QualificationTest.MaxRetryAfter)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "retryAfterMinutes", $"The waiting time before a retry is outside [0, {QualificationTest.MaxRetryAfter.TotalDays} days].");
        if (test.InstanceKeys.Distinct(StringComparer.Ordinal).Count() != test.InstanceKeys.Count)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, "items", "An instance appears twice in the test.");
        for (var i = 0; i < test.InstanceKeys.Count; i++) await CheckItem(test.InstanceKeys[i], $"items[{i}]");
        // Shown with their references to those who take the test: never again gold, never again given extra rounds.
        foreach (var key in test.InstanceKeys) await GrainFactory.GetGrain<IInstanceGrain>(key).MarkQualificationItem();

        state.State.Test = test with { Version = (state.State.Test?.Version ?? 0) + 1 };
        await state.WriteOrDeactivateAsync(this);
        return state.State.Test;
    }

    async Task CheckItem(string instanceKey, string field)
    {
        if (!AnnotationKeys.TryParseInstance(instanceKey, out _, out _))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"'{instanceKey}' is not a campaign and instance id.");
        var instance = GrainFactory.GetGrain<IInstanceGrain>(instanceKey);
        var view = await instance.GetState();
        if (view.Spec is null) throw new AnnotationRejectedException(RejectionCodes.NotInitialized, field, $"Instance {instanceKey} does not exist.");
        if ((await instance.GetReference()).Reference is null)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"Instance {instanceKey} has no reference mask to score answers against.");
        if (view.Status is not (InstanceStatus.Done or InstanceStatus.Skipped))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field,
                $"Instance {instanceKey} is still being annotated ({view.Status}): those who take the test see its reference, so pick finished instances.");
        if (Kind != QualificationKinds.Corrective) return;
        if (view.Spec.ModelName == ModelNames.External)
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"Instance {instanceKey} takes its masks from outside the silo: its clicks could not be tried.");
        if (!view.Masks.Any(m => m.Round == 0))
            throw new AnnotationRejectedException(RejectionCodes.Invalid, field, $"Instance {instanceKey} has no model mask to correct yet.");
    }

    public Task<QualificationTest?> Get() => Task.FromResult(state.State.Test);
}
