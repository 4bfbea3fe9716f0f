function(parley_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
                         -Wno-missing-field-initializers)
  # (aggregates with default member initializers are initialised in part on purpose)
endfunction()
