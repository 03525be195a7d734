from practicas.cli import main

raise SystemExit(main())
