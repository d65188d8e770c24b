namespace Grains.Interfaces;

/// <summary>The qualification test of one kind (key: <see cref="QualificationKinds"/>), set by managers.</summary>
public interface IQualificationTestGrain : IGrainWithStringKey
{
    /// <summary>
    /// Replaces the test after checking every item: it exists, has a reference mask and, for corrective clicks, a model
    /// mask of round 0 made in the silo. Invalid tests throw <see cref="AnnotationRejectedException"/> naming the field.
    /// </summary>
    Task<QualificationTest> Set(QualificationTest test);

    Task<QualificationTest?> Get();
}
