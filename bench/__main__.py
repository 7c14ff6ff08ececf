from bench import notebook_costs

notebook_costs.main()
