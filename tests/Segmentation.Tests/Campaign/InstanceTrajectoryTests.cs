using Simulator.Campaign;

namespace Segmentation.Tests.Campaign;

public sealed class InstanceTrajectoryTests
{
    [Fact]
    public void An_instance_accepted_early_keeps_its_mask_for_the_later_rounds()
    {
        var t = new InstanceTrajectory(rounds: 3);
        t.RecordMask(0, 0.60); // task of round 1 carries M_b's mask
        t.RecordAnswer(1, 3);
        t.RecordMask(1, 0.85); // task of round 2
        t.RecordAnswer(2, 0); // accepted

        Assert.Equal(2, t.AcceptedRound);
        Assert.Equal([0.60, 0.85, 0.85, 0.85], t.IoUPerRound(exportIoU: 0.85));
        Assert.Equal([0.60, 0.85, 0.85, 0.85], t.IoUPerRound(exportIoU: null));
        Assert.Equal([0, 3, 0, 0], t.ClicksPerRound);
    }

    [Fact]
    public void The_mask_after_the_last_round_is_the_exported_one()
    {
        var t = new InstanceTrajectory(rounds: 2);
        t.RecordMask(0, 0.5);
        t.RecordAnswer(1, 4);
        t.RecordMask(1, 0.7);
        t.RecordAnswer(2, 2);

        Assert.Equal([0.5, 0.7, 0.9], t.IoUPerRound(exportIoU: 0.9));
        Assert.Equal([0, 4, 2], t.ClicksPerRound);
    }

    [Fact]
    public void A_corrected_round_without_a_later_task_takes_the_export()
    {
        // Corrected in round 1 and then finished by the server (no round-2 task): the mask after round 1 is the last one.
        var t = new InstanceTrajectory(rounds: 3);
        t.RecordMask(0, 0.4);
        t.RecordAnswer(1, 2);

        Assert.Equal([0.4, 0.8, 0.8, 0.8], t.IoUPerRound(exportIoU: 0.8));
        Assert.Equal([0.4, null, null, null], t.IoUPerRound(exportIoU: null));
    }

    [Fact]
    public void Extra_rounds_count_their_clicks_apart_and_leave_the_regular_rounds_as_they_were()
    {
        var t = new InstanceTrajectory(rounds: 2, extraRounds: 2);
        t.RecordMask(0, 0.5);
        t.RecordAnswer(1, 3);
        t.RecordMask(1, 0.7);
        t.RecordAnswer(2, 2);
        t.RecordAnswer(3, 3); // extra round R+1
        t.RecordAnswer(4, 0); // extra round R+2, accepted

        Assert.Equal((2, 4), (t.Rounds, t.LastRound));
        Assert.Equal((2, 3), (t.ExtraRoundsAnswered, t.ExtraClicks));
        Assert.Null(t.AcceptedRound);
        Assert.Equal([0, 3, 2], t.ClicksPerRound);
        Assert.Equal([0.5, 0.7, 0.9], t.IoUPerRound(exportIoU: 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.RecordAnswer(5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.RecordMask(3, 0.5));
    }

    [Fact]
    public void An_instance_without_any_mask_has_no_figures_and_rounds_are_checked()
    {
        var t = new InstanceTrajectory(rounds: 2);
        Assert.Equal([null, null, null], t.IoUPerRound(null));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.RecordMask(3, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.RecordAnswer(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.RecordAnswer(3, 1));
    }
}
