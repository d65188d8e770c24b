using Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.TestingHost;

namespace Backend.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageTests(PostgresServer server)
{
    [Fact]
    public async Task Scripts_register_every_query_the_providers_read()
    {
        string[] expected =
        [
            "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
            "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
            "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
            "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
            "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key",
            "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Grain_state_survives_a_cluster_restart()
    {
        var settings = StorageSettings.ForPostgres(server.ConnectionString, applySchema: false);
        var serviceId = "pg-" + Guid.NewGuid().ToString("N");

        await using (var first = await StorageTestCluster.StartAsync(settings, serviceId))
        {
            var grain = first.GrainFactory.GetGrain<INoteGrain>("image-7");
            await grain.Write("first");
            await grain.Write("box drawn");
            await first.StopAllSilosAsync();
        }

        await using var second = await StorageTestCluster.StartAsync(settings, serviceId);
        var state = await second.GrainFactory.GetGrain<INoteGrain>("image-7").Read();
        Assert.Equal("box drawn", state.Text);
        Assert.Equal(2, state.Writes);
    }

    [Fact]
    public async Task A_campaign_with_answers_survives_a_silo_restart()
    {
        var settings = StorageSettings.ForPostgres(server.ConnectionString, applySchema: false);
        var serviceId = "pg-" + Guid.NewGuid().ToString("N");
        const string campaignId = "survivor";
        var mask = Grains.MaskRleConversions.ToWire(new Segmentation.Masks.BinaryMask(40, 30));

        await using (var first = await StorageTestCluster.StartAsync(settings, serviceId))
        {
            var grains = first.GrainFactory;
            var campaign = grains.GetGrain<Grains.Interfaces.ICampaignGrain>(campaignId);
            await campaign.Create(new Grains.Interfaces.CampaignSettings { Rounds = 2, ShardCount = 2, ModelName = Grains.Interfaces.ModelNames.External });
            await campaign.BeginImport();
            await campaign.ImportInstances(
            [
                new("i1", "a.jpg", 40, 30, new Grains.Interfaces.BoxD(2, 2, 20, 20), "cat"),
                new("i2", "b.jpg", 40, 30, new Grains.Interfaces.BoxD(5, 5, 25, 25), "dog"),
            ]);
            await campaign.Start();
            foreach (var id in new[] { "i1", "i2" })
                await grains.GetGrain<Grains.Interfaces.IInstanceGrain>($"{campaignId}/{id}").SetModelMask(0, mask);
            var annotator = grains.GetGrain<Grains.Interfaces.IAnnotatorGrain>("pg-annotator");
            await annotator.SetQualified(true);
            var work = await annotator.RequestWork(campaignId);
            await annotator.Submit(work!.InstanceKey, new Grains.Interfaces.Submission("sub-1", "pg-annotator", 1,
                [new Grains.Interfaces.SubmittedClick(10, 10, Grains.Interfaces.ClickPolarity.Foreground)], false, 4.5));
            await first.StopAllSilosAsync();
        }

        await using var second = await StorageTestCluster.StartAsync(settings, serviceId);
        var info = await second.GrainFactory.GetGrain<Grains.Interfaces.ICampaignGrain>(campaignId).GetInfo();
        Assert.Equal(Grains.Interfaces.CampaignStatus.Running, info.Status);
        Assert.Equal(2, info.ImportedInstances);
        var progress = await second.GrainFactory.GetGrain<Grains.Interfaces.ICampaignGrain>(campaignId).GetProgress();
        Assert.Equal(1, progress.Rounds[0].Corrected);
        Assert.Equal(1, progress.Rounds[0].Waiting);
        var profile = await second.GrainFactory.GetGrain<Grains.Interfaces.IAnnotatorGrain>("pg-annotator").GetProfile();
        var answer = Assert.Single(profile.History);
        Assert.Equal("sub-1", answer.SubmissionId);
        var instance = await second.GrainFactory.GetGrain<Grains.Interfaces.IInstanceGrain>(answer.InstanceKey).GetState();
        Assert.Equal(Grains.Interfaces.InstanceStatus.WaitingForModel, instance.Status);
        Assert.Single(instance.Clicks);
        Assert.Equal(4.5, Assert.Single(instance.Answers).SecondsSpent);
    }

    [Fact]
    public async Task A_silo_joins_through_the_membership_table_and_a_client_reaches_it()
    {
        using var ports = new TestClusterPortAllocator();
        var (siloPort, gatewayPort) = ports.AllocateConsecutivePortPairs(1);
        var clusterId = "cluster-" + Guid.NewGuid().ToString("N");
        var settings = StorageSettings.ForPostgres(server.ConnectionString, applySchema: false);
        var endpoints = new SiloEndpoints(siloPort, gatewayPort, System.Net.IPAddress.Loopback, clusterId, clusterId);

        var siloBuilder = Host.CreateApplicationBuilder();
        siloBuilder.UseOrleans(silo => silo.UseAnnotationStorage(settings, endpoints));
        using var silo = siloBuilder.Build();
        await silo.StartAsync();
        try
        {
            var clientBuilder = Host.CreateApplicationBuilder();
            clientBuilder.UseOrleansClient(client =>
                client.UseAnnotationPostgresClustering(server.ConnectionString, clusterId, clusterId));
            using var client = clientBuilder.Build();
            await client.StartAsync();
            try
            {
                var grains = client.Services.GetRequiredService<IClusterClient>();
                await grains.GetGrain<INoteGrain>("through-gateway").Write("hello");
                Assert.Equal("hello", (await grains.GetGrain<INoteGrain>("through-gateway").Read()).Text);
            }
            finally
            {
                await client.StopAsync();
            }

            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT Status, Port, ProxyPort FROM OrleansMembershipTable WHERE DeploymentId = @cluster", connection);
            command.Parameters.AddWithValue("cluster", clusterId);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(3, reader.GetInt32(0)); // Active
            Assert.Equal(siloPort, reader.GetInt32(1));
            Assert.Equal(gatewayPort, reader.GetInt32(2));
        }
        finally
        {
            await silo.StopAsync();
        }
    }

    [Fact]
    public async Task Reminder_rows_round_trip_through_the_reminder_table()
    {
        using var ports = new TestClusterPortAllocator();
        var (siloPort, gatewayPort) = ports.AllocateConsecutivePortPairs(1);
        var clusterId = "reminders-" + Guid.NewGuid().ToString("N");
        var settings = StorageSettings.ForPostgres(server.ConnectionString, applySchema: false);
        var endpoints = new SiloEndpoints(siloPort, gatewayPort, System.Net.IPAddress.Loopback, clusterId, clusterId);

        var siloBuilder = Host.CreateApplicationBuilder();
        siloBuilder.UseOrleans(silo => silo.UseAnnotationStorage(settings, endpoints));
        using var silo = siloBuilder.Build();
        await silo.StartAsync();
        try
        {
            var table = silo.Services.GetRequiredService<IReminderTable>();
            var grainId = GrainId.Create("note", "reminded");
            var start = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            var etag = await table.UpsertRow(new ReminderEntry
            {
                GrainId = grainId,
                ReminderName = "expire-lease",
                StartAt = start,
                Period = TimeSpan.FromMinutes(5),
            });

            Assert.NotNull(etag);
            var read = await table.ReadRow(grainId, "expire-lease");
            Assert.NotNull(read);
            Assert.Equal(etag, read.ETag);
            Assert.Equal(TimeSpan.FromMinutes(5), read.Period);
            Assert.Equal(start, read.StartAt.ToUniversalTime());
            Assert.Single((await table.ReadRows(grainId)).Reminders);

            var second = await table.UpsertRow(new ReminderEntry
            {
                GrainId = grainId,
                ReminderName = "expire-lease",
                StartAt = start,
                Period = TimeSpan.FromMinutes(10),
            });
            Assert.NotNull(second);
            Assert.NotEqual(etag, second);
            Assert.False(await table.RemoveRow(grainId, "expire-lease", etag));
            Assert.True(await table.RemoveRow(grainId, "expire-lease", second));
            Assert.Empty((await table.ReadRows(grainId)).Reminders);
        }
        finally
        {
            await silo.StopAsync();
        }
    }
}
