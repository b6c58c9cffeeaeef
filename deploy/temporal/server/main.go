// Airlock's Temporal server: the stock server (go.temporal.io/server v1.31.2, the same flags and
// `start` command as its cmd/server), with Airlock's claim mapper and authorizer in place of the
// configured ones, through the server's documented extension points (temporal.WithClaimMapper,
// temporal.WithAuthorizer). Each client certificate's subject names a role (roles.go), and each
// role may call only what it needs (authorizer.go). Built by scripts/production.sh.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // embed tzdata as a fallback

	"github.com/urfave/cli/v2"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/headers"
	"go.temporal.io/server/common/log"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // the postgresql plugin
	"go.temporal.io/server/temporal"
)

func main() {
	app := cli.NewApp()
	app.Name = "temporal"
	app.Usage = "Temporal server with Airlock's per-role authorizer"
	app.Version = headers.ServerVersion
	app.Flags = []cli.Flag{
		&cli.StringFlag{
			Name:     "config-file",
			Usage:    "path to the config file",
			EnvVars:  []string{config.EnvKeyConfigFile},
			Required: true,
		},
		// Accepted for the stock server's command line; the authorizer below is always on.
		&cli.BoolFlag{Name: "allow-no-auth", Hidden: true},
	}
	app.Commands = []*cli.Command{{
		Name:  "start",
		Usage: "Start the Temporal server",
		Flags: []cli.Flag{&cli.StringSliceFlag{
			Name:    "service",
			Aliases: []string{"svc"},
			Value:   cli.NewStringSlice(temporal.DefaultServices...),
			Usage:   "service(s) to start",
			EnvVars: []string{"TEMPORAL_SERVICES"},
		}},
		Action: func(c *cli.Context) error {
			cfg, err := config.Load(config.WithConfigFile(c.String("config-file")))
			if err != nil {
				return cli.Exit(fmt.Sprintf("Unable to load configuration: %v.", err), 1)
			}
			logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
			s, err := temporal.NewServer(
				temporal.ForServices(c.StringSlice("service")),
				temporal.WithConfig(cfg),
				temporal.WithLogger(logger),
				temporal.InterruptOn(temporal.InterruptCh()),
				temporal.WithAuthorizer(roleAuthorizer{}),
				temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
					return certificateClaimMapper{}
				}),
			)
			if err != nil {
				return cli.Exit(fmt.Sprintf("Unable to create server. Error: %v.", err), 1)
			}
			if err := s.Start(); err != nil {
				return cli.Exit(fmt.Sprintf("Unable to start server. Error: %v", err), 1)
			}
			return cli.Exit("All services are stopped.", 0)
		},
	}}
	_ = app.Run(os.Args)
}
